using System.Collections.Concurrent;
using MassTransit;

namespace Predictions.Gateway.Backpressure;

/// <summary>
/// Notices when the broker refuses a request (a negative publisher confirm: the work queue is full) and
/// stops its publish at once. MassTransit would otherwise treat the refusal like a lost connection and keep
/// retrying until the submission's deadline, turning a clear "full, come back later" into a slow 503.
/// </summary>
public sealed class RefusedPublishes : IPublishObserver
{
    private readonly ConcurrentDictionary<Guid, Watch> _watched = new();

    /// <summary>Watches the publish of <paramref name="messageId"/>; a refusal cancels <paramref name="publish"/>.</summary>
    public Watch Start(Guid messageId, CancellationTokenSource publish)
    {
        var watch = new Watch(this, messageId, publish);
        _watched[messageId] = watch;
        return watch;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class
    {
        if (context.MessageId is { } id && IsRefusal(exception) && _watched.TryGetValue(id, out var watch))
        {
            watch.Refuse();
        }

        return Task.CompletedTask;
    }

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    private static bool IsRefusal(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RabbitMQ.Client.Exceptions.PublishException { IsReturn: false })
            {
                return true;
            }
        }

        return false;
    }

    public sealed class Watch(RefusedPublishes owner, Guid messageId, CancellationTokenSource publish) : IDisposable
    {
        private volatile bool _refused;

        /// <summary>True when the broker refused the message: it was not stored.</summary>
        public bool Refused => _refused;

        public void Dispose() => owner._watched.TryRemove(messageId, out _);

        internal void Refuse()
        {
            _refused = true;
            publish.Cancel();
        }
    }
}
