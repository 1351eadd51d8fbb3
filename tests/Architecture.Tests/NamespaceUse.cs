namespace Predictions.Architecture.Tests;

/// <summary>Code in namespace <paramref name="From"/> names <paramref name="Symbol"/> of namespace <paramref name="To"/>.</summary>
public sealed record NamespaceUse(string From, string To, string Symbol, string Where)
{
    public override string ToString() => $"{From} -> {To} ({Where} uses {Symbol})";
}
