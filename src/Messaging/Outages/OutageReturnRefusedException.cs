namespace Predictions.Messaging.Outages;

/// <summary>
/// The broker did not take the copy of a message given back after an outage (<see cref="OutageReturn"/>): the
/// delivery goes back to the broker unacknowledged instead (<see cref="RefusedReturnFilter"/>), counted as a return.
/// </summary>
public sealed class OutageReturnRefusedException(string queue, Exception refusal)
    : Exception($"The message could not be given back to {queue} after its outage, so the broker takes it back: {refusal.Message}", refusal);
