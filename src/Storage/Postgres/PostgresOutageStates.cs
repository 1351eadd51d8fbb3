using System.Net.Sockets;
using Npgsql;

namespace Predictions.Storage.Postgres;

/// <summary>
/// The PostgreSQL failures that mean the server, not the write, is at fault: it is gone, shutting down,
/// starting, full of connections, read-only, or chose this transaction to lose a conflict. Waiting fixes
/// them; nothing about the write does.
/// </summary>
public static class PostgresOutageStates
{
    public const string AdminShutdown = "57P01";
    public const string CrashShutdown = "57P02";
    public const string CannotConnectNow = "57P03";
    public const string TooManyConnections = "53300";
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";
    public const string ReadOnlyTransaction = "25006";

    /// <summary>Class 08: the connection failed or broke.</summary>
    private const string ConnectionExceptionClass = "08";

    /// <summary>
    /// True for the states above, any connection failure, and whatever Npgsql itself calls transient (a
    /// refused or broken connection, a timeout): the store is unavailable, and the write waits to be retried.
    /// </summary>
    public static bool IsOutage(NpgsqlException exception) => exception switch
    {
        PostgresException server => server.IsTransient || server.SqlState.StartsWith(ConnectionExceptionClass, StringComparison.Ordinal)
            || server.SqlState is AdminShutdown or CrashShutdown or CannotConnectNow or TooManyConnections
                or SerializationFailure or DeadlockDetected or ReadOnlyTransaction,
        _ => exception.IsTransient || exception.InnerException is IOException or SocketException or TimeoutException,
    };
}
