using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Messaging.Broker;

/// <summary>
/// The broker refusing a declaration or publish as it stands (403, 404, 406): configuration or permission, not an
/// outage, so asking again the same way gets the same answer.
/// </summary>
public sealed record BrokerRefusal(ushort ReplyCode, string ReplyText)
{
    public const ushort AccessRefused = 403;
    public const ushort NotFound = 404;
    public const ushort PreconditionFailed = 406;

    /// <summary>The refusal <paramref name="exception"/> carries, or null when it is something else (an outage, a timeout).</summary>
    public static BrokerRefusal? Of(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is OperationInterruptedException { ShutdownReason: { Initiator: ShutdownInitiator.Peer } reason }
                && reason.ReplyCode is AccessRefused or NotFound or PreconditionFailed)
            {
                return new BrokerRefusal(reason.ReplyCode, reason.ReplyText);
            }
        }

        return null;
    }

    public override string ToString() => ReplyText;
}
