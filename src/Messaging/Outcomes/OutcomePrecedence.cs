namespace Predictions.Messaging.Outcomes;

/// <summary>
/// Which outcome a prediction keeps when a redelivered request ends twice, the same in the status store and the
/// audit store whatever order the outcomes arrive in: <c>completed</c> beats <c>failed</c> beats <c>expired</c> (a
/// computed answer is the most use to a client, a failure at least says why, an expiry says it was never tried);
/// between two of a kind the one that finished first, then the lower worker name, so that any two differ. A
/// <c>queued</c> row gives way to every outcome. The stores apply it in SQL (<see cref="SupersedesSql"/>); the C#
/// form (<see cref="Supersedes"/>) is what the tests hold the SQL to.
/// </summary>
public static class OutcomePrecedence
{
    // Lowest first: an outcome's rank is its place here plus one; anything else (queued) ranks 0.
    private static readonly string[] Ranking = ["expired", "failed", "completed"];

    public static int Rank(string status) => Array.IndexOf(Ranking, status) + 1;

    /// <summary>Whether <paramref name="incoming"/> replaces <paramref name="stored"/>; an equal one does not.</summary>
    public static bool Supersedes(OutcomeSummary incoming, OutcomeSummary stored)
    {
        var byRank = Rank(incoming.Status).CompareTo(Rank(stored.Status));
        if (byRank != 0)
        {
            return byRank > 0;
        }

        var byFinish = incoming.FinishedAt.UtcTicks.CompareTo(stored.FinishedAt.UtcTicks);
        return byFinish != 0 ? byFinish < 0 : string.CompareOrdinal(incoming.Worker, stored.Worker) < 0;
    }

    /// <summary>The outcome a prediction ends with, whichever of <paramref name="outcomes"/> came first.</summary>
    public static OutcomeSummary Winner(IEnumerable<OutcomeSummary> outcomes) =>
        outcomes.Aggregate((kept, incoming) => Supersedes(incoming, kept) ? incoming : kept);

    /// <summary>
    /// A SQL condition, true when the row <paramref name="incoming"/> (e.g. <c>excluded</c> in an upsert) replaces
    /// the row <paramref name="stored"/>; finish times are <c>StoredTimestamp</c> text, which sorts as time.
    /// Text is compared byte by byte, as <see cref="string.CompareOrdinal(string, string)"/> does for these
    /// names: SQLite's default, and an explicit collation (<paramref name="bytewiseCollation"/>) in PostgreSQL, whose
    /// database default may sort by locale.
    /// </summary>
    public static string SupersedesSql(OutcomeColumns columns, string incoming, string stored, string bytewiseCollation)
    {
        var bytewise = bytewiseCollation.Length == 0 ? "" : " " + bytewiseCollation;
        string Rank(string table) =>
            $"(CASE {table}.{columns.Status} {string.Join(" ", Ranking.Select((status, i) => $"WHEN '{status}' THEN {i + 1}"))} ELSE 0 END)";
        string Before(string column) => $"{incoming}.{column}{bytewise} < {stored}.{column}{bytewise}";
        string Same(string column) => $"{incoming}.{column} = {stored}.{column}";

        return $"({Rank(incoming)} > {Rank(stored)} OR ({Rank(incoming)} = {Rank(stored)} AND ("
            + $"{Before(columns.FinishedAt)} OR ({Same(columns.FinishedAt)} AND {Before(columns.Worker)}))))";
    }
}
