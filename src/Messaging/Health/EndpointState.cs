namespace Predictions.Messaging.Health;

/// <summary>Whether a receive endpoint consumes, since when, and why (not).</summary>
public sealed record EndpointState(string Name, bool Consuming, DateTimeOffset Since, string Reason);
