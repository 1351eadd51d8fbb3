using Microsoft.Extensions.Logging;
using Npgsql;

namespace Predictions.Storage.Postgres;

/// <summary>PostgreSQL, for hosts that share their stores: a connection string with a <c>Host</c> key (Npgsql's form).</summary>
public sealed class PostgresProvider : StoreProvider
{
    public const string Name = SchemaStep.Postgres;

    public static PostgresProvider Instance { get; } = new();

    // "C" compares byte by byte, as SQLite does; a database's default collation may not.
    public static StoreDialect Dialect { get; } = new(BytewiseCollation: "COLLATE \"C\"");

    public override string Key => Name;

    public override bool Recognizes(string connectionString) => ConnectionStringKeys.HasAny(connectionString, "Host");

    public override StoreDatabase Open(string connectionString, IReadOnlyList<StoreSchema> schemas, StorageOptions options, ILogger logger) =>
        new PostgresDatabase(connectionString, schemas, logger, options.Timeout);

    public override bool IsOutage(Exception exception) => exception is NpgsqlException postgres && PostgresOutageStates.IsOutage(postgres);

    public override string CannotOpen(string location) => $"cannot connect to, or create the schema in, the PostgreSQL database {location}";
}
