using System.Globalization;
using MassTransit;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// What RabbitMQ says of a delivery's past. Each count is absent or 0 on a first delivery: 3.x–4.2 count every return
/// in <c>x-delivery-count</c>; 4.3+ count every acquisition in <c>x-acquired-count</c> and only failed ones in the other.
/// </summary>
public static class BrokerCounts
{
    private const string AcquiredCount = "x-acquired-count";
    private const string DeliveryCount = "x-delivery-count";

    /// <summary>How many times the broker handed this message out before this delivery, whichever version counted.</summary>
    public static int AcquiredBefore(ReceiveContext received) => Math.Max(Read(received, AcquiredCount), Read(received, DeliveryCount));

    /// <summary>
    /// RabbitMQ dead-lettered the message from <paramref name="queue"/> last. RabbitMQ 4 passes that queue's count on
    /// with it (3.10 starts afresh), and names the queue in a header 3.13+ set.
    /// </summary>
    public static bool LastDeadLetteredFrom(ReceiveContext received, string queue) =>
        received.TransportHeaders.TryGetHeader("x-last-death-queue", out var name) && name as string == queue;

    /// <summary>
    /// Leaves the counts off a copy, a new message: RabbitMQ 4 shows published counts on a first delivery, and before 4.3
    /// never sets <c>x-acquired-count</c>, so a count carried over would be read as the copy's own.
    /// </summary>
    public static void LeaveOff(SendHeaders headers)
    {
        headers.Set(AcquiredCount, null);
        headers.Set(DeliveryCount, null);
    }

    // A publisher may set these headers too: what is not a number counts as nothing rather than failing the request.
    private static int Read(ReceiveContext received, string header) =>
        received.TransportHeaders.TryGetHeader(header, out var value)
        && long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var count)
            ? (int)Math.Clamp(count, 0, int.MaxValue)
            : 0;
}
