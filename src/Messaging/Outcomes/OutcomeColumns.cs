namespace Predictions.Messaging.Outcomes;

/// <summary>Where a store's table keeps the parts of an outcome that <see cref="OutcomePrecedence"/> compares.</summary>
public sealed record OutcomeColumns(string Status, string FinishedAt, string Worker);
