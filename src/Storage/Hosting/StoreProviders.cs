using Predictions.Storage.Postgres;
using Predictions.Storage.Sqlite;

namespace Predictions.Storage.Hosting;

/// <summary>Every database engine the stores run on: a new engine is a folder of its own and a line here.</summary>
public static class StoreProviders
{
    // PostgreSQL first: its Host key is the more specific test.
    public static IReadOnlyList<StoreProvider> All { get; } = [PostgresProvider.Instance, SqliteProvider.Instance];
}
