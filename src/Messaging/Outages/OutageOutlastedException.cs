namespace Predictions.Messaging.Outages;

/// <summary>
/// A dependency stayed down for <c>Outages:MaxWait</c> while this delivery waited for it: not the message's fault,
/// so it goes back to the tail of its queue (<see cref="OutageReturn"/>) rather than to an error queue.
/// </summary>
public sealed class OutageOutlastedException(TimeSpan waited, Exception outage)
    : Exception($"waited {waited.TotalSeconds:0} s for an outage that still lasts: {outage.Message}", outage);
