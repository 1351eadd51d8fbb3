using System.Net.Sockets;
using Npgsql;

using Predictions.Storage.Hosting;

namespace Predictions.Storage.Tests.Postgres;

/// <summary>
/// Which failures of a PostgreSQL store are its outage, waited out however long it lasts and never
/// error-queued, and which are the write's own fault (<see cref="StoreOutages.IsStoreUnavailable"/>).
/// </summary>
public sealed class PostgresOutageStatesTests
{
    [Theory]
    [InlineData("57P01", "admin_shutdown")]
    [InlineData("57P02", "crash_shutdown")]
    [InlineData("57P03", "cannot_connect_now")]
    [InlineData("53300", "too_many_connections")]
    [InlineData("40001", "serialization_failure")]
    [InlineData("40P01", "deadlock_detected")]
    [InlineData("25006", "read_only_sql_transaction")]
    [InlineData("08006", "connection_failure")]
    public void A_server_that_is_gone_busy_or_read_only_is_an_outage(string state, string name) =>
        Assert.True(StoreOutages.IsStoreUnavailable(new PostgresException(name, "FATAL", "FATAL", state)), name);

    [Theory]
    [InlineData("23505", "unique_violation")]
    [InlineData("23502", "not_null_violation")]
    [InlineData("42P01", "undefined_table")]
    [InlineData("42601", "syntax_error")]
    [InlineData("28P01", "invalid_password")]
    [InlineData("22P02", "invalid_text_representation")]
    public void An_error_waiting_cannot_fix_is_not_an_outage(string state, string name) =>
        Assert.False(StoreOutages.IsStoreUnavailable(new PostgresException(name, "ERROR", "ERROR", state)), name);

    [Fact]
    public void A_refused_or_broken_connection_is_an_outage()
    {
        Assert.True(StoreOutages.IsStoreUnavailable(
            new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(StoreOutages.IsStoreUnavailable(new NpgsqlException("Exception while reading from stream", new IOException("broken pipe"))));
        Assert.True(StoreOutages.IsStoreUnavailable(new NpgsqlException("Timeout", new TimeoutException())));
    }
}
