namespace Predictions.Storage;

/// <summary>A <see cref="SchemaStep"/> as one database runs it, with the version that database records for it.</summary>
public sealed record SchemaMigration(int Version, string Sql, string? PresentWhen);
