namespace Predictions.Storage;

/// <summary>The SQL that differs between databases, for the stores to build their statements with.</summary>
/// <param name="BytewiseCollation">The collation that compares text byte by byte; empty where that is the default.</param>
public sealed record StoreDialect(string BytewiseCollation);
