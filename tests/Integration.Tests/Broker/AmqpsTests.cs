using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Broker;

/// <summary>
/// amqps by configuration alone: a node with an ssl listener whose certificate a private CA signed; a prediction
/// goes end to end over it, and a worker given another CA refuses to start, naming the settings to fix.
/// </summary>
public sealed class AmqpsTests : IAsyncLifetime
{
    private TestCertificates? _certificates;
    private TestCertificates? _otherAuthority;
    private RabbitMqBroker? _broker;
    private int _tlsPort;

    public async Task InitializeAsync()
    {
        _certificates = await TestCertificates.CreateAsync("Predictions Test CA");
        _otherAuthority = await TestCertificates.CreateAsync("Some Other CA");
        _tlsPort = Ports.Free();
        _broker = await LocalRabbitMqNode.StartAsync(RabbitMqSeries.Four, $"""
            listeners.ssl.default = 127.0.0.1:{_tlsPort}
            ssl_options.cacertfile = {_certificates.AuthorityCertificate}
            ssl_options.certfile = {_certificates.ServerCertificate}
            ssl_options.keyfile = {_certificates.ServerKey}
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false
            """);
    }

    [Fact]
    public async Task A_prediction_goes_end_to_end_over_amqps_with_a_private_ca()
    {
        await using var system = await PredictionSystem.CreateAsync(_broker!);
        var settings = Amqps(system, _certificates!.AuthorityCertificate);
        await system.StartWorkerAsync(settings);
        await system.StartGatewayAsync(settings);

        var accepted = await system.SubmitAsync(7, 2.5);
        var outcome = await system.WaitForOutcomeAsync(accepted.GetProperty("id").GetString()!, TimeSpan.FromSeconds(60));

        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        // rabbitmqctl, not the management API: on 4.x, without its deprecated metrics, that no longer says which use TLS.
        var connections = await _broker!.Control.QueryAsync("list_connections", "vhost", "ssl");
        Assert.Contains($"{system.Broker.Name}\ttrue", connections.Split('\n').Select(line => line.Trim()));
    }

    [Fact]
    public async Task A_worker_given_another_ca_refuses_to_start_naming_the_settings()
    {
        await using var system = await PredictionSystem.CreateAsync(_broker!);
        var worker = system.StartWorker(Amqps(system, _otherAuthority!.AuthorityCertificate));

        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode != 0, $"The worker started although it cannot trust the broker.\n{worker.Output}");
        Assert.Contains("RabbitMq:CertificateAuthority", worker.Output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:RabbitMq", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", worker.Output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _certificates?.Dispose();
        _otherAuthority?.Dispose();
    }

    private Dictionary<string, string> Amqps(PredictionSystem system, string authority) => new()
    {
        ["ConnectionStrings:RabbitMq"] = $"amqps://guest:guest@127.0.0.1:{_tlsPort}/{Uri.EscapeDataString(system.Broker.Name)}",
        ["RabbitMq:CertificateAuthority"] = authority,
    };
}
