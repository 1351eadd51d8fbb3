using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Predictions.Messaging.Health;

/// <summary>
/// Which receive endpoints consume, and since when one does not: from the moment its channel is gone, where
/// MassTransit's bus health waits until every message in flight is done. Each change is logged once.
/// </summary>
public sealed class ReceiveEndpointMonitor(TimeProvider clock, ILogger<ReceiveEndpointMonitor> logger) : IReceiveEndpointObserver, IReceiveObserver
{
    private const string StoppingReason = "stopping";
    private const string StoppedReason = "stopped";

    private readonly ConcurrentDictionary<string, EndpointState> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EndpointActivity> _activity = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private readonly Lock _changes = new();

    /// <summary>
    /// Each endpoint's state, including those the bus knows but that have never been ready (<paramref name="known"/>),
    /// which count as not consuming since this host started.
    /// </summary>
    public IReadOnlyList<EndpointState> Snapshot(IEnumerable<Uri> known)
    {
        var states = new Dictionary<string, EndpointState>(_endpoints, StringComparer.Ordinal);
        foreach (var address in known)
        {
            var name = NameOf(address);
            states.TryAdd(name, new EndpointState(name, Consuming: false, _startedAt, "not ready yet"));
        }

        return [.. states.Values.OrderBy(state => state.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The endpoints that count as consuming now, with their deliveries; a temporary endpoint (the bus's own, a
    /// response queue) is left out: its queue is exclusive to its connection.
    /// </summary>
    public IEnumerable<KeyValuePair<string, EndpointActivity>> ConsumingEndpoints() =>
        _activity.Where(pair => _endpoints.TryGetValue(pair.Key, out var state) && state.Consuming);

    public Task Ready(ReceiveEndpointReady ready)
    {
        var now = clock.GetUtcNow();
        if (!ready.InputAddress.Query.Contains("temporary=true", StringComparison.OrdinalIgnoreCase))
        {
            _activity.AddOrUpdate(
                NameOf(ready.InputAddress),
                _ => new EndpointActivity(ready.ReceiveEndpoint, now),
                (_, activity) =>
                {
                    activity.Ready(ready.ReceiveEndpoint, now);
                    return activity;
                });
        }

        return Set(ready.InputAddress, consuming: true, "ready");
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Set(stopping.InputAddress, consuming: false, StoppingReason);

    public Task Completed(ReceiveEndpointCompleted completed) => Set(completed.InputAddress, consuming: false, StoppedReason);

    public Task Faulted(ReceiveEndpointFaulted faulted) => Set(faulted.InputAddress, consuming: false, $"faulted: {faulted.Exception?.Message}");

    public Task PreReceive(ReceiveContext context)
    {
        // MassTransit cancels the deliveries in flight when their channel shuts down: the endpoint no longer
        // consumes. The registration needs no undoing: it goes with the delivery's token source, which the
        // receive context disposes once the delivery is done.
        var address = context.InputAddress;
        context.CancellationToken.Register(() => Set(address, consuming: false, "its channel closed with deliveries in flight"));
        Activity(address)?.Received(clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        Activity(context.InputAddress)?.Done();
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Activity(context.InputAddress)?.Done();
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    private Task Set(Uri address, bool consuming, string reason)
    {
        var name = NameOf(address);
        var now = clock.GetUtcNow();
        EndpointState? before;
        lock (_changes)
        {
            // "Since" is when it stopped consuming, and "why" the first reason, not the latest of several.
            before = _endpoints.GetValueOrDefault(name);
            if (before?.Consuming == consuming)
            {
                return Task.CompletedTask;
            }

            _endpoints[name] = new EndpointState(name, consuming, now, reason);
        }

        if (before is { Consuming: true } && reason is not (StoppingReason or StoppedReason))
        {
            logger.LogWarning("Receive endpoint {Endpoint} stopped consuming: {Reason}", name, reason);
        }
        else if (consuming && before is { Reason: not (StoppingReason or StoppedReason) } down)
        {
            logger.LogInformation("Receive endpoint {Endpoint} consumes again after {Downtime:0} s", name, (now - down.Since).TotalSeconds);
        }

        return Task.CompletedTask;
    }

    private EndpointActivity? Activity(Uri address) => _activity.GetValueOrDefault(NameOf(address));

    /// <summary>The queue's name: the last segment of the address, without its query.</summary>
    private static string NameOf(Uri address) =>
        address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? address.ToString();
}
