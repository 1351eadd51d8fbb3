using Dapper;

namespace Predictions.Storage.Tests;

/// <summary>A table of the tests' own, for testing the store layer without any store of the services.</summary>
internal static class NoteWrites
{
    /// <summary>Adds one note; returns the rows it changed (1).</summary>
    public static Task<int> AddAsync(StoreWrite write) =>
        write.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO notes (text) VALUES ('kept');", transaction: write.Transaction, cancellationToken: write.CancellationToken));
}
