using System.Data.Common;

namespace Predictions.Storage;

/// <summary>
/// A write under way: its connection and transaction for the store's own statements, what its database does
/// in bulk, and the token that bounds it (the caller's, within <c>Storage:Timeout</c>).
/// </summary>
public abstract class StoreWrite(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>
    /// Runs <paramref name="sql"/> once per row, in as few round trips as the database allows; returns how many rows
    /// each run changed. Parameters bind by name to the row's public properties (<c>@Id</c> to <c>Id</c>).
    /// </summary>
    public abstract Task<int[]> ExecuteEachAsync<TRow>(string sql, IReadOnlyList<TRow> rows);

    /// <summary>
    /// Tells the other hosts on this database <paramref name="payload"/> on <paramref name="channel"/> once this write
    /// commits (<see cref="StoreDatabase.ListenAsync"/>); nothing where no other host can share the database.
    /// </summary>
    public abstract Task NotifyAsync(string channel, string payload);
}
