namespace Predictions.Storage.Hosting;

/// <summary>Which database a store's connection string names, as the first of <see cref="StoreProviders"/> to recognize it tells.</summary>
public static class StoreConnectionString
{
    /// <summary>The provider <paramref name="connectionString"/> names, or null when it names none.</summary>
    public static StoreProvider? ProviderOf(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString) ? null : StoreProviders.All.FirstOrDefault(provider => provider.Recognizes(connectionString));
}
