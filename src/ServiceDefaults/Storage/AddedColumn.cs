namespace Predictions.ServiceDefaults.Storage;

/// <summary>
/// A column a table gained after its first release. The schema's <c>CREATE TABLE</c> has it for new databases;
/// a database made before it gets it with <c>ALTER TABLE ... ADD COLUMN</c> at start-up.
/// </summary>
public sealed record AddedColumn(string Table, string Name, string Definition);
