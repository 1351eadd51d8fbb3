using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Predictions.Storage;

/// <summary>Binds a statement's <c>@Name</c> parameters to a row's properties of the same name, as Dapper does.</summary>
public static partial class RowParameters
{
    /// <summary>The properties <paramref name="sql"/> names, each with its parameter's name.</summary>
    public static IReadOnlyList<(string Name, PropertyInfo Property)> Of<TRow>(string sql) =>
        [.. Parameter().Matches(sql).Select(m => m.Value).Distinct().Select(name => (name, PropertyOf<TRow>(name)))];

    /// <summary>A parameter for <paramref name="name"/> added to <paramref name="parameters"/>.</summary>
    public static DbParameter Add(DbParameterCollection parameters, Func<DbParameter> create, string name)
    {
        var parameter = create();
        parameter.ParameterName = name;
        parameters.Add(parameter);
        return parameter;
    }

    public static object ValueOf<TRow>(PropertyInfo property, TRow row) => property.GetValue(row) ?? DBNull.Value;

    private static PropertyInfo PropertyOf<TRow>(string parameter) =>
        typeof(TRow).GetProperty(parameter[1..], BindingFlags.Public | BindingFlags.Instance)
        ?? throw new InvalidOperationException($"{typeof(TRow).Name} has no property for the SQL parameter {parameter}.");

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();
}
