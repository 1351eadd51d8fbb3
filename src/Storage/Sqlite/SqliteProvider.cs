using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Predictions.Storage.Sqlite;

/// <summary>SQLite, the embedded default: a connection string with a <c>Data Source</c> (or <c>Filename</c>) names a file.</summary>
public sealed class SqliteProvider : StoreProvider
{
    public const string Name = SchemaStep.Sqlite;

    public static SqliteProvider Instance { get; } = new();

    // Text compares byte by byte already (BINARY is SQLite's default collation).
    public static StoreDialect Dialect { get; } = new(BytewiseCollation: "");

    public override string Key => Name;

    public override bool Recognizes(string connectionString) =>
        ConnectionStringKeys.HasAny(connectionString, "Data Source", "DataSource", "Filename");

    public override StoreDatabase Open(string connectionString, IReadOnlyList<StoreSchema> schemas, StorageOptions options, ILogger logger) =>
        new SqliteDatabase(connectionString, schemas, logger, options.Timeout);

    public override bool IsOutage(Exception exception) => exception is SqliteException sqlite && SqliteOutageCodes.IsOutage(sqlite.SqliteErrorCode);

    public override string CannotOpen(string location) => $"cannot open, create or upgrade the SQLite database '{location}'";
}
