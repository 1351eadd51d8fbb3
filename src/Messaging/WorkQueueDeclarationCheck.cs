using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Predictions.Messaging.Broker;
using RabbitMQ.Client;

namespace Predictions.Messaging;

/// <summary>
/// Declares the work queue once at start-up, as the host will declare it later, and stops the start when the queue
/// exists with other arguments: the broker would refuse every later declaration too, so the gateway could publish
/// nothing and a worker's endpoint would never consume, each retrying in silence. The message names the setting, its
/// value here and the queue's (<see cref="WorkQueueMismatch"/>). A broker that cannot be reached, or a user that may not
/// create the queue before a worker has (the gateway's, in docs/broker-users.md), is no mismatch: logged, and the start goes on.
/// </summary>
public sealed class WorkQueueDeclarationCheck(
    PlainBrokerConnection connection, IOptions<WorkQueueOptions> workQueue, ILogger<WorkQueueDeclarationCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connected = await connection.OpenAsync(cancellationToken);
            await using var channel = await connected.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(Topology.WorkQueue, durable: true, exclusive: false, autoDelete: false,
                Topology.WorkQueueArguments(workQueue.Value), cancellationToken: cancellationToken);
            await channel.CloseAsync(cancellationToken);
        }
        catch (Exception ex) when (BrokerRefusal.Of(ex) is { ReplyCode: BrokerRefusal.PreconditionFailed } mismatch)
        {
            throw new InvalidOperationException(WorkQueueMismatch.Describe(mismatch, workQueue.Value), ex);
        }
        catch (Exception ex) when (BrokerRefusal.Of(ex) is { } refusal)
        {
            logger.LogWarning(
                "The broker refused to declare the work queue {Queue} at start-up, so whether it matches the WorkQueue settings "
                + "is checked when it is next declared: {Reply}",
                Topology.WorkQueue, refusal.ReplyText);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(
                "The broker could not be asked at start-up whether the work queue {Queue} matches the WorkQueue settings ({Reason}); "
                + "it is checked when the queue is next declared.",
                Topology.WorkQueue, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
