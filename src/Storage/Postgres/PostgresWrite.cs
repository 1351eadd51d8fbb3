using Npgsql;

namespace Predictions.Storage.Postgres;

/// <summary>A write in a transaction of its own on a pooled connection; a statement for many rows is one round trip.</summary>
internal sealed class PostgresWrite(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    : StoreWrite(connection, transaction, cancellationToken)
{
    /// <summary>One <see cref="NpgsqlBatch"/>: every row's statement goes to the server in one message, and back in one answer.</summary>
    public override async Task<int[]> ExecuteEachAsync<TRow>(string sql, IReadOnlyList<TRow> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var bindings = RowParameters.Of<TRow>(sql);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var (name, property) in bindings)
            {
                command.Parameters.AddWithValue(name[1..], RowParameters.ValueOf(property, row));
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(CancellationToken);
        return [.. Enumerable.Range(0, rows.Count).Select(i => batch.BatchCommands[i].RecordsAffected)];
    }

    /// <summary>Delivered by the server once this transaction commits, and never if it does not.</summary>
    public override async Task NotifyAsync(string channel, string payload)
    {
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload);", connection, transaction);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(CancellationToken);
    }
}
