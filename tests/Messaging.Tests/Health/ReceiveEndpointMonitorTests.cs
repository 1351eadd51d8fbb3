using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Predictions.Messaging.Health;

namespace Predictions.Messaging.Tests.Health;

/// <summary>
/// What the monitor logs: the probes answer every poll quietly, so an endpoint that stops consuming is told once, as
/// a warning, and once more when it consumes again; a start or an ordinary stop is not a warning.
/// </summary>
public sealed class ReceiveEndpointMonitorTests
{
    private static readonly Uri Address = new("rabbitmq://localhost/prediction-worker");

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FakeLogger<ReceiveEndpointMonitor> _logger = new();

    [Fact]
    public async Task An_endpoint_that_faults_is_a_warning_once_however_often_it_faults_and_news_when_it_consumes_again()
    {
        var monitor = new ReceiveEndpointMonitor(_clock, _logger);
        await monitor.Ready(new Event(Address));

        await monitor.Faulted(new Event(Address, new InvalidOperationException("Broker unreachable")));
        _clock.Advance(TimeSpan.FromSeconds(12));
        await monitor.Faulted(new Event(Address, new InvalidOperationException("Broker unreachable")));
        await monitor.Ready(new Event(Address));

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal(
            [
                (LogLevel.Warning, "Receive endpoint prediction-worker stopped consuming: faulted: Broker unreachable"),
                (LogLevel.Information, "Receive endpoint prediction-worker consumes again after 12 s"),
            ],
            records.Select(r => (r.Level, r.Message)));
    }

    [Fact]
    public async Task A_start_and_an_ordinary_stop_are_no_warning()
    {
        var monitor = new ReceiveEndpointMonitor(_clock, _logger);
        await monitor.Ready(new Event(Address));
        await monitor.Stopping(new Event(Address));
        await monitor.Completed(new Event(Address));
        await monitor.Ready(new Event(Address));

        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    private sealed record Event(Uri InputAddress, Exception? Exception = null) :
        ReceiveEndpointReady, ReceiveEndpointFaulted, ReceiveEndpointStopping, ReceiveEndpointCompleted
    {
        public IReceiveEndpoint ReceiveEndpoint => null!;

        public bool IsStarted => true;

        public bool Removed => false;

        public long DeliveryCount => 0;

        public long ConcurrentDeliveryCount => 0;
    }
}
