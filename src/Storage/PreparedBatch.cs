using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Predictions.Storage;

/// <summary>
/// Runs one statement for many rows with a single command: SQLite parses the SQL once per batch instead of
/// once per row, which is most of the cost of a small insert; PostgreSQL gets the same statement each time. Parameters bind by name to the
/// row's properties, as with Dapper.
/// </summary>
public static partial class PreparedBatch
{
    /// <summary>Executes <paramref name="sql"/> once per row; returns how many rows each execution changed.</summary>
    public static int[] Execute<TRow>(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<TRow> rows)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var bindings = Parameter().Matches(sql).Select(m => m.Value).Distinct()
            .Select(name => (Parameter: AddParameter(command, name), Property: PropertyOf<TRow>(name)))
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

    private static DbParameter AddParameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static PropertyInfo PropertyOf<TRow>(string parameter) =>
        typeof(TRow).GetProperty(parameter[1..], BindingFlags.Public | BindingFlags.Instance)
        ?? throw new InvalidOperationException($"{typeof(TRow).Name} has no property for the SQL parameter {parameter}.");

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();
}
