using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Predictions.ServiceDefaults.Storage;

/// <summary>
/// Runs one statement for many rows with a single prepared command: SQLite parses the SQL once per batch
/// instead of once per row, which is most of the cost of a small insert. Parameters bind by name to the
/// row's properties, as with Dapper.
/// </summary>
public static partial class PreparedBatch
{
    /// <summary>Executes <paramref name="sql"/> once per row; returns how many rows each execution changed.</summary>
    public static int[] Execute<TRow>(SqliteConnection connection, SqliteTransaction transaction, string sql, IReadOnlyList<TRow> rows)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var bindings = Parameter().Matches(sql).Select(m => m.Value).Distinct()
            .Select(name => (Parameter: command.Parameters.Add(new SqliteParameter { ParameterName = name }), Property: PropertyOf<TRow>(name)))
            .ToArray();

        var changed = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var (parameter, property) in bindings)
            {
                parameter.Value = property.GetValue(rows[i]) ?? DBNull.Value;
            }

            changed[i] = command.ExecuteNonQuery();
        }

        return changed;
    }

    private static PropertyInfo PropertyOf<TRow>(string parameter) =>
        typeof(TRow).GetProperty(parameter[1..], BindingFlags.Public | BindingFlags.Instance)
        ?? throw new InvalidOperationException($"{typeof(TRow).Name} has no property for the SQL parameter {parameter}.");

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();
}
