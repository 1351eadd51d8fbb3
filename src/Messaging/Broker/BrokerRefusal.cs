using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Messaging.Broker;

/// <summary>
/// The broker closing a channel on a declaration or a publish it will not take as it stands: 403 ACCESS_REFUSED (a
/// permission the user lacks), 404 NOT_FOUND (an exchange or queue that is not there), 406 PRECONDITION_FAILED (a queue
/// that exists with other arguments). Configuration or permission, not an outage: asked again the same way, the broker
/// answers the same until someone changes something. <see cref="ReplyText"/> is the broker's own words.
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
