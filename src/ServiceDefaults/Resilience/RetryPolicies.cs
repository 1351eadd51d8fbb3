namespace Predictions.ServiceDefaults.Resilience;

/// <summary>
/// Every retry policy of the service, by name, with its default pauses and the limits its setting is held to:
/// a host binds the ones it uses (<see cref="RetryPolicyExtensions.AddRetryPolicy"/>).
/// </summary>
public static class RetryPolicies
{
    public const string Section = "Retries";

    /// <summary>An outcome the status or audit consumer could not store, for a reason other than the store's outage.</summary>
    public const string StoreWrites = nameof(StoreWrites);

    /// <summary>A request the worker could not compute, for a reason other than the metadata service's outage.</summary>
    public const string Requests = nameof(Requests);

    /// <summary>A directly published request the gateway could not record as queued.</summary>
    public const string QueuedRecords = nameof(QueuedRecords);

    /// <summary>The pauses while a store or the metadata service is down, repeating its last, within <c>Outages:MaxWait</c>.</summary>
    public const string OutageWaits = nameof(OutageWaits);

    /// <summary>A gateway store write after a publish (the key marked or released, the queued record), within <c>Gateway:StoreTimeout</c>.</summary>
    public const string SubmissionWrites = nameof(SubmissionWrites);

    /// <summary>The gateway's connection that listens for outcomes on PostgreSQL, repeating its last for as long as it runs.</summary>
    public const string OutcomeListening = nameof(OutcomeListening);

    /// <summary>Opening the gateway's publishing channel, repeating its last, within <c>Gateway:PublishTimeout</c>.</summary>
    public const string PublisherChannel = nameof(PublisherChannel);

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static readonly Dictionary<string, RetryPolicyRule> Rules = new[]
    {
        new RetryPolicyRule(StoreWrites, [Ms(100), Ms(500), Ms(2_000), Ms(5_000)], MaxPauses: 10, Minute),
        new RetryPolicyRule(Requests, [Ms(200), Ms(1_000), Ms(5_000)], MaxPauses: 10, Minute),
        new RetryPolicyRule(QueuedRecords, [Ms(100), Ms(500), Ms(2_000)], MaxPauses: 10, Minute),
        new RetryPolicyRule(OutageWaits, [Ms(100), Ms(200), Ms(400), Ms(800), Ms(1_600), Ms(3_200), Ms(6_400), Ms(10_000)], MaxPauses: 20, Minute),
        new RetryPolicyRule(SubmissionWrites, [Ms(100), Ms(500)], MaxPauses: 10, Minute),
        new RetryPolicyRule(OutcomeListening, [Ms(100), Ms(200), Ms(400), Ms(800), Ms(1_600), Ms(3_200), Ms(5_000)], MaxPauses: 20, Minute),
        new RetryPolicyRule(PublisherChannel, [Ms(200)], MaxPauses: 20, Minute),
    }.ToDictionary(rule => rule.Name, StringComparer.Ordinal);

    /// <summary>The names of every policy.</summary>
    public static IReadOnlyCollection<string> Names => Rules.Keys;

    /// <summary>The rule of the policy <paramref name="name"/>: its defaults and limits.</summary>
    public static RetryPolicyRule Rule(string name) =>
        Rules.TryGetValue(name, out var rule) ? rule : throw new ArgumentException($"There is no retry policy named '{name}'.", nameof(name));

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
