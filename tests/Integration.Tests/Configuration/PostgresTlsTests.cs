using Npgsql;
using Predictions.Harness;
using Predictions.Integration.Tests.Broker;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Configuration;

/// <summary>
/// TLS to PostgreSQL by configuration alone: a private server whose certificate a private CA signed. A gateway
/// told to verify it against that CA (<c>SSL Mode=VerifyFull;Root Certificate=…</c>) serves predictions over
/// TLS; one given another CA stops at start-up, naming the setting to fix.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PostgresTlsTests(BrokerFixture fixture) : IAsyncLifetime
{
    private TestCertificates? _certificates;
    private TestCertificates? _otherAuthority;
    private PostgresServer? _server;

    public async Task InitializeAsync()
    {
        Assert.True(
            LocalPostgresServer.IsInstalled, "This test starts a private PostgreSQL server with TLS on: install Debian's postgresql package.");
        _certificates = await TestCertificates.CreateAsync("Predictions Test CA");
        _otherAuthority = await TestCertificates.CreateAsync("Some Other CA");
        _server = await LocalPostgresServer.StartAsync(
            [_certificates.ServerCertificate, _certificates.ServerKey],
            ["ssl=on", "ssl_cert_file={folder}/server.pem", "ssl_key_file={folder}/server.key"]);
    }

    [Fact]
    public async Task A_gateway_verifying_the_servers_certificate_serves_predictions_over_tls()
    {
        await using var database = await _server!.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync(new Dictionary<string, string> { ["ConnectionStrings:Results"] = Verified(database, _certificates!) });

        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;
        var outcome = await system.WaitForOutcomeAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(
            1L, await database.ScalarAsync<long>($"SELECT count(*) FROM predictions WHERE prediction_id = '{id}' AND status = 'completed'"));

        // This test's own connection is plain: every encrypted one is the gateway's.
        Assert.True(
            await database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_ssl WHERE ssl") > 0, "The gateway's connections are not encrypted.");
    }

    [Fact]
    public async Task A_gateway_given_another_ca_stops_at_start_up_naming_the_setting()
    {
        await using var database = await _server!.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        var gateway = system.StartGateway(new Dictionary<string, string> { ["ConnectionStrings:Results"] = Verified(database, _otherAuthority!) });
        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode != 0, $"The gateway started although it cannot trust its database.\n{gateway.Output}");
        Assert.Contains("ConnectionStrings:Results", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("certificate", gateway.Output, StringComparison.OrdinalIgnoreCase);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _certificates?.Dispose();
        _otherAuthority?.Dispose();
    }

    private static string Verified(PostgresTestDatabase database, TestCertificates authority) =>
        new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            SslMode = SslMode.VerifyFull,
            RootCertificate = authority.AuthorityCertificate,
        }.ConnectionString;
}
