using Npgsql;

namespace Predictions.Storage.Postgres;

/// <summary>Keeps a LISTEN connection: waits for notifications, and proves a quiet connection still stands.</summary>
internal static class PostgresListening
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(15);

    /// <summary>Returns only by throwing: cancelled, or the connection failed (a dead one is found within <c>Idle</c>).</summary>
    public static async Task<bool> KeepAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Quiet for a while: a round trip proves the connection still stands, so a dead one is replaced.
            if (!await connection.WaitAsync(Idle, cancellationToken))
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bound.CancelAfter(timeout);
                await using var ping = new NpgsqlCommand("SELECT 1;", connection);
                await ping.ExecuteScalarAsync(bound.Token);
            }
        }
    }
}
