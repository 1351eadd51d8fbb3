using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Predictions.Messaging.Health;

namespace Predictions.Messaging.Tests.Health;

/// <summary>
/// An endpoint the broker stopped feeding is restarted at the second check that finds it starved, and only then: its
/// queue must hold ready messages, and it must have received nothing since the check before. The endpoint is a real
/// one, on MassTransit's in-memory transport; the queue's depth is scripted.
/// </summary>
public sealed class StarvedEndpointRestarterTests : IAsyncLifetime, IDisposable
{
    private const string Queue = "starving";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ScriptedProbe _probe = new();
    private readonly ReadyCounter _readies = new();
    private readonly HostLifetime _lifetime = new();
    private ReceiveEndpointMonitor _monitor = null!;
    private TaskCompletionSource? _hold;
    private IBusControl _bus = null!;
    private StarvedEndpointRestarter _restarter = null!;

    public async Task InitializeAsync()
    {
        _monitor = new ReceiveEndpointMonitor(_clock, NullLogger<ReceiveEndpointMonitor>.Instance);
        _bus = Bus.Factory.CreateUsingInMemory(cfg =>
        {
            cfg.ReceiveEndpoint(Queue, endpoint => endpoint.Handler<Ping>(async _ =>
            {
                if (_hold is { } hold)
                {
                    await hold.Task;
                }
            }));
        });
        _bus.ConnectReceiveEndpointObserver(_monitor);
        _bus.ConnectReceiveObserver(_monitor);
        _bus.ConnectReceiveEndpointObserver(_readies);
        await _bus.StartAsync();
        await _readies.WaitForAsync(Queue, 1);
        _restarter = new StarvedEndpointRestarter(
            _monitor,
            _probe,
            Options.Create(new EndpointHealthOptions { StarvationCheckInterval = Interval }),
            _clock,
            _lifetime,
            NullLogger<StarvedEndpointRestarter>.Instance);
    }

    public async Task DisposeAsync()
    {
        _restarter.Dispose();
        await _bus.StopAsync();
    }

    [Fact]
    public async Task An_endpoint_starved_at_two_checks_in_a_row_is_restarted_and_consumes_again()
    {
        _probe.Ready = 5;

        await CheckAfterIntervalAsync();
        Assert.Equal(1, _readies.Count(Queue));

        await CheckAfterIntervalAsync();
        await _readies.WaitForAsync(Queue, 2);

        Assert.Equal(1, _readies.Stops(Queue));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await (await _bus.GetSendEndpoint(new Uri($"queue:{Queue}"))).Send(new Ping());
        await WaitUntilAsync(() => LastDelivery() == _clock.GetUtcNow());
    }

    [Fact]
    public async Task An_endpoint_whose_queue_is_empty_is_left_alone()
    {
        _probe.Ready = 0;

        for (var check = 0; check < 3; check++)
        {
            await CheckAfterIntervalAsync();
        }

        Assert.Equal(1, _readies.Count(Queue));
        Assert.Equal(0, _readies.Stops(Queue));
    }

    [Fact]
    public async Task A_delivery_between_two_checks_starts_the_count_again()
    {
        _probe.Ready = 5;
        await CheckAfterIntervalAsync();

        // A delivery now: the broker still feeds the endpoint.
        await (await _bus.GetSendEndpoint(new Uri($"queue:{Queue}"))).Send(new Ping());
        await WaitUntilAsync(() => LastDelivery() == _clock.GetUtcNow());
        await CheckAfterIntervalAsync(TimeSpan.FromSeconds(5));
        await CheckAfterIntervalAsync();

        Assert.Equal(0, _readies.Stops(Queue));
    }

    [Fact]
    public async Task A_delivery_while_the_queue_is_probed_keeps_the_endpoint_from_a_restart()
    {
        _probe.Ready = 5;
        await CheckAfterIntervalAsync();

        // The probe takes its time; meanwhile the broker delivers, and the endpoint holds that work.
        var holding = _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A restart would wait for that work to finish: let it, so the test sees the restart instead of hanging.
        _readies.OnStopping = () => holding.TrySetResult();
        _probe.WhileProbing = async () =>
        {
            await (await _bus.GetSendEndpoint(new Uri($"queue:{Queue}"))).Send(new Ping());
            await WaitUntilAsync(() => InFlight() == 1);
        };
        try
        {
            await CheckAfterIntervalAsync();
        }
        finally
        {
            holding.TrySetResult();
        }

        Assert.Equal(0, _readies.Stops(Queue));
    }

    [Fact]
    public async Task A_host_that_begins_to_stop_while_the_queue_is_probed_has_no_endpoint_stopped()
    {
        _probe.Ready = 5;
        await CheckAfterIntervalAsync();

        _probe.WhileProbing = () =>
        {
            _lifetime.StopApplication();
            return Task.CompletedTask;
        };
        await CheckAfterIntervalAsync();

        Assert.Equal(0, _readies.Stops(Queue));
    }

    [Fact]
    public async Task A_host_that_begins_to_stop_while_an_endpoint_restarts_leaves_it_stopped()
    {
        _probe.Ready = 5;
        _readies.OnStopping = _lifetime.StopApplication;
        var endpoint = (ReceiveEndpoint)_monitor.ConsumingEndpoints().Single(e => e.Key == Queue).Value.Endpoint;

        await CheckAfterIntervalAsync();
        await CheckAfterIntervalAsync();

        Assert.Equal(1, _readies.Stops(Queue));
        Assert.False(endpoint.IsStarted(), $"the endpoint was started again ({endpoint.CurrentState})");
    }

    public void Dispose()
    {
        _restarter?.Dispose();
        _lifetime.Dispose();
    }

    private int? InFlight() => _monitor.ConsumingEndpoints().SingleOrDefault(e => e.Key == Queue).Value?.InFlight;

    private DateTimeOffset? LastDelivery() => _monitor.ConsumingEndpoints().SingleOrDefault(e => e.Key == Queue).Value?.LastDelivery;

    private async Task CheckAfterIntervalAsync(TimeSpan? after = null)
    {
        _clock.Advance(after ?? Interval);
        await _restarter.CheckAsync(CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    public sealed record Ping;

    private sealed class ScriptedProbe : IQueueProbe
    {
        public uint Ready { get; set; }

        /// <summary>What happens while the broker is asked about the starving queue, which may take seconds.</summary>
        public Func<Task>? WhileProbing { get; set; }

        public async Task<uint?> ReadyMessagesAsync(string queue, CancellationToken cancellationToken)
        {
            if (queue != Queue)
            {
                return 0;
            }

            if (WhileProbing is { } probing)
            {
                await probing();
            }

            return Ready;
        }
    }

    /// <summary>The host's lifetime, stopped when the test says.</summary>
    private sealed class HostLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }

    /// <summary>Counts each endpoint's ready and stopping events.</summary>
    private sealed class ReadyCounter : IReceiveEndpointObserver
    {
        private readonly Dictionary<string, (int Ready, int Stops)> _counts = [];

        public int Count(string queue)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(queue).Ready;
            }
        }

        public int Stops(string queue)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(queue).Stops;
            }
        }

        /// <summary>Runs as an endpoint begins to stop.</summary>
        public Action? OnStopping { get; set; }

        public Task WaitForAsync(string queue, int readies) => WaitUntilAsync(() => Count(queue) >= readies);

        public Task Ready(ReceiveEndpointReady ready) => Add(ready.InputAddress, ready: 1, stops: 0);

        public Task Stopping(ReceiveEndpointStopping stopping)
        {
            OnStopping?.Invoke();
            return Add(stopping.InputAddress, ready: 0, stops: 1);
        }

        public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

        public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

        private Task Add(Uri address, int ready, int stops)
        {
            var queue = address.AbsolutePath.Trim('/');
            lock (_counts)
            {
                var current = _counts.GetValueOrDefault(queue);
                _counts[queue] = (current.Ready + ready, current.Stops + stops);
            }

            return Task.CompletedTask;
        }
    }
}
