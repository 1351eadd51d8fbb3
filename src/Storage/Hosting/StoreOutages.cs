namespace Predictions.Storage.Hosting;

/// <summary>Tells an outage of a store (its file or its server) from a write that is at fault itself.</summary>
public static class StoreOutages
{
    /// <summary>
    /// True when the store, not the write, is at fault: it did not answer within <c>Storage:Timeout</c>, the file
    /// system failed, or one of <see cref="StoreProviders"/> calls the failure an outage.
    /// </summary>
    public static bool IsStoreUnavailable(Exception exception) =>
        StoreProviders.All.Any(provider => provider.IsUnavailable(exception));
}
