using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit.Logging;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Routing;
using Predictions.Messaging;
using Predictions.Messaging.Broker;
using Predictions.Messaging.Requests;
using Predictions.ServiceDefaults.Resilience;
using Predictions.ServiceDefaults.Telemetry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Gateway.Publishing;

/// <summary>
/// Publishes HTTP submissions as plain JSON to <see cref="Topology.Submissions"/> on one confirm channel of its own,
/// many in flight at once, and replaces that channel when it is distrusted or closes. MassTransit would publish
/// them on a channel it shares and never replaces after a refusal; on RabbitMQ 3.10 a channel whose first publish
/// to a quorum queue falls in a leader election is refused for the rest of its life. A new channel is used only once
/// the broker took the request topology's declaration and a trial publish; when it refuses them, <see cref="PublisherReadiness"/>
/// says so and requests are answered at once.
/// </summary>
public sealed class SubmissionPublisher(
    PlainBrokerConnection connection,
    PublisherReadiness readiness,
    IOptions<WorkQueueOptions> workQueue,
    IOptions<PublishingOptions> publishing,
    IOptionsMonitor<RetryPolicy> retries,
    ILogger<SubmissionPublisher> logger) : ISubmissionPublisher, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly RetryPolicy _reopens = retries.GetRetryPolicy(RetryPolicies.PublisherChannel);
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IChannel? _channel;

    public async Task PublishAsync(
        PredictionRequest request, string? owner, ModelRouting.Lane? lane, CancellationToken cancellationToken, Guid? shadowOf = null)
    {
        var channel = await OpenUntilAsync(cancellationToken);
        var id = request.PredictionId.ToString("D");
        // The work queue by the gateway's own door, which it declared itself: a request is stored before any worker made the lanes.
        var (exchange, routingKey) = lane is null || lane.IsWorkQueue ? (Topology.Submissions, string.Empty) : (Topology.Lanes, lane.RoutingKey);
        using var span = PredictionTracing.Source.StartActivity($"{exchange} send", ActivityKind.Producer);
        span?.SetTag("messaging.system", "rabbitmq")
            .SetTag("messaging.operation.type", "send")
            .SetTag("messaging.destination.name", exchange)
            .SetTag("messaging.message.id", id)
            .SetTag(PredictionTracing.PredictionIdTag, id);

        var headers = new Dictionary<string, object?> { [Doors.Header] = Doors.Http };

        // The owner travels with the request and comes back on its outcome: it never depends on the record written after this.
        if (owner is not null)
        {
            headers[Topology.OwnerHeader] = owner;
        }

        // Routed here: the worker computes the version chosen, and its outcome says why.
        if (lane?.Route is { } route)
        {
            headers[Topology.RouteHeader] = route;
            headers[Topology.RoutedModelHeader] = $"{lane.Model.Name}:{lane.Model.Version}";
        }

        if (shadowOf is { } original)
        {
            headers[Topology.ShadowOfHeader] = original.ToString("D");
        }

        // The worker's MassTransit reads its parent from its own header. An unrecorded span is passed on too, so
        // the worker keeps the sampling decision made here.
        if (Activity.Current?.Id is { } parent)
        {
            headers[DiagnosticHeaders.ActivityId] = parent;
        }

        var properties = new BasicProperties
        {
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = id,
            Headers = headers,
        };
        try
        {
            // Mandatory: should the exchange have lost its binding, the broker returns the request rather than drop it.
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties,
                JsonSerializer.SerializeToUtf8Bytes(request, Json), cancellationToken);
        }
        catch (PublishException ex) when (!ex.IsReturn)
        {
            throw new PublishRefusedException(channel, ex);
        }
        catch (PublishException ex) when (lane is not null)
        {
            // A lane appears when a worker serving it first starts: until then the broker routes it nowhere.
            throw new LaneMissingException(lane, ex);
        }
        catch (PublishException ex)
        {
            // A new channel declares the topology again.
            Retire(channel, "it returned a request as unroutable");
            throw new InvalidOperationException(
                $"The broker could route the request nowhere: {Topology.Submissions} is not bound to {Topology.WorkQueue}.", ex);
        }
    }

    public void Distrust(PublishRefusedException refusal)
    {
        if (refusal.Channel is IChannel channel)
        {
            Retire(channel, "the broker refused a request on it while the work queue had room");
        }
    }

    public async ValueTask DisposeAsync() => await _stopping.CancelAsync();

    /// <summary>
    /// Makes sure there is a channel to publish on, opening one if need be: throws <see cref="PublisherRefusedException"/>
    /// while the broker refuses this gateway's submissions, and what opening failed with otherwise.
    /// </summary>
    public async Task EnsureChannelAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    /// <summary>
    /// Opens a channel, trying again until <paramref name="cancellationToken"/> ends the wait: nothing was sent yet,
    /// so a broker that is unreachable or restarting costs the client time, not a request. A broker that refuses the
    /// declaration or the trial publish will not change its mind within the wait: that ends it at once.
    /// </summary>
    private async ValueTask<IChannel> OpenUntilAsync(CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await OpenAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or PublisherRefusedException)
                && !cancellationToken.IsCancellationRequested)
            {
                logger.LogDebug(ex, "No channel to publish submissions on yet");
                await Task.Delay(_reopens.Pause(retry), cancellationToken);
            }
        }
    }

    private async ValueTask<IChannel> OpenAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        readiness.ThrowIfRefusedLately();
        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } opened)
            {
                return opened;
            }

            // The caller before this one may have just heard a refusal.
            readiness.ThrowIfRefusedLately();
            IChannel channel;
            try
            {
                channel = await SubmissionChannel.OpenAsync(await connection.OpenAsync(cancellationToken), workQueue.Value, cancellationToken);
            }
            catch (Exception ex) when (BrokerRefusal.Of(ex) is { } refusal)
            {
                throw readiness.Refuse(refusal);
            }

            readiness.Accept();
            _channel = channel;
            return channel;
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>
    /// Publishes no more on <paramref name="channel"/>, and closes it once every publish already on it has been
    /// answered or has timed out: one refusal does not make the others on it fail.
    /// </summary>
    private void Retire(IChannel channel, string why)
    {
        if (Interlocked.CompareExchange(ref _channel, null, channel) != channel)
        {
            return;
        }

        logger.LogWarning("Replacing the channel that publishes submissions, because {Reason}", why);
        _ = CloseAfterAsync(channel, publishing.Value.PublishTimeout);
    }

    private async Task CloseAfterAsync(IChannel channel, TimeSpan grace)
    {
        try
        {
            await Task.Delay(grace, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the connection closes every channel.
        }

        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "A replaced publishing channel did not close cleanly");
        }
    }
}
