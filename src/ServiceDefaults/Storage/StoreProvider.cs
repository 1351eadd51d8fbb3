namespace Predictions.ServiceDefaults.Storage;

/// <summary>The database engines a store runs on; <see cref="StoreConnectionString"/> tells which one a setting names.</summary>
public enum StoreProvider
{
    Sqlite,
    Postgres,
}
