namespace Predictions.Storage.Tests;

/// <summary>A store schema of the tests' own, spelled differently per database as the services' schemas are.</summary>
internal static class Ledger
{
    public const string Database = "Ledger";

    public static readonly StoreSchema Schema = new("ledger",
    [
        new(1,
            sqlite: "CREATE TABLE ledger (amount REAL NOT NULL);",
            postgres: "CREATE TABLE ledger (amount DOUBLE PRECISION NOT NULL, note TEXT NULL);"),

        // PostgreSQL's first step made this column already.
        new(2, sqlite: "ALTER TABLE ledger ADD COLUMN note TEXT NULL;", postgres: null),
    ]);
}
