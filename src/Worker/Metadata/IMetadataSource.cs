namespace Predictions.Worker.Metadata;

/// <summary>Where an item's metadata comes from: slow I/O, always awaited.</summary>
public interface IMetadataSource
{
    /// <summary>The item's named values.</summary>
    /// <exception cref="UnknownItemException">The source does not know the item; asking again will not help.</exception>
    Task<IReadOnlyDictionary<string, double>> GetAsync(long itemId, CancellationToken cancellationToken);
}
