using MassTransit;

namespace Predictions.Messaging.Health;

/// <summary>A receive endpoint as its deliveries show it: the endpoint itself, how many are in flight, and when the last arrived.</summary>
public sealed class EndpointActivity(IReceiveEndpoint endpoint, DateTimeOffset readyAt)
{
    private IReceiveEndpoint _endpoint = endpoint;
    private int _inFlight;
    private long _lastDelivery = readyAt.UtcTicks;

    public IReceiveEndpoint Endpoint => Volatile.Read(ref _endpoint);

    public int InFlight => Math.Max(0, Volatile.Read(ref _inFlight));

    /// <summary>When the last delivery arrived, or the endpoint last became ready, whichever is later.</summary>
    public DateTimeOffset LastDelivery => new(Interlocked.Read(ref _lastDelivery), TimeSpan.Zero);

    internal void Ready(IReceiveEndpoint endpoint, DateTimeOffset at)
    {
        Volatile.Write(ref _endpoint, endpoint);
        Interlocked.Exchange(ref _lastDelivery, at.UtcTicks);
    }

    internal void Received(DateTimeOffset at)
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Exchange(ref _lastDelivery, at.UtcTicks);
    }

    internal void Done() => Interlocked.Decrement(ref _inFlight);
}
