using Microsoft.Data.Sqlite;

namespace Predictions.Storage.Sqlite;

/// <summary>
/// A write on the <see cref="SqliteWriter"/>'s thread. A statement for many rows is parsed once and run per row
/// with new values: parsing is most of the cost of a small insert, and there is no network to save trips on.
/// </summary>
internal sealed class SqliteWrite(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    : StoreWrite(connection, transaction, cancellationToken)
{
    public override async Task<int[]> ExecuteEachAsync<TRow>(string sql, IReadOnlyList<TRow> rows)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var bindings = RowParameters.Of<TRow>(sql)
            .Select(binding => (Parameter: RowParameters.Add(command.Parameters, command.CreateParameter, binding.Name), binding.Property))
            .ToArray();

        var changed = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var (parameter, property) in bindings)
            {
                parameter.Value = RowParameters.ValueOf(property, rows[i]);
            }

            changed[i] = await command.ExecuteNonQueryAsync(CancellationToken.None);
        }

        return changed;
    }

    // One host per file: the gateway that writes an outcome wakes its own waiters.
    public override Task NotifyAsync(string channel, string payload) => Task.CompletedTask;
}
