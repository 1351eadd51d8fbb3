using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Predictions.Contracts;

namespace Predictions.Messaging.Catalog;

/// <summary>
/// A model as a request names it: <c>name</c> (where its rollout sends it), <c>name:version</c>, or <c>name:alias</c>. Names
/// are lower-case letters, digits, <c>-</c> and <c>_</c>; versions are whole numbers, so versions order as numbers and a
/// lane's routing key <c>{name}.{version}</c> reads one way only; an alias starts with a letter, so it is never a version.
/// </summary>
public sealed partial record ModelReference(string Name, int? Version, string? Alias = null)
{
    public const string Shape =
        "a model name (lower-case letters, digits, '-' and '_'), optionally with ':' and a version number or an alias, "
        + "e.g. item-scorer, item-scorer:1 or item-scorer:stable";

    public static bool TryParse(string? text, [NotNullWhen(true)] out ModelReference? reference)
    {
        reference = null;
        if (text is null || Pattern().Match(text) is not { Success: true } match)
        {
            return false;
        }

        int? version = null;
        if (match.Groups["version"].Success)
        {
            if (!int.TryParse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                return false;
            }

            version = number;
        }

        var alias = match.Groups["alias"].Success ? match.Groups["alias"].Value : null;
        reference = new ModelReference(match.Groups["name"].Value, version, alias);
        return true;
    }

    /// <summary>A model name, as catalog folders and references spell it.</summary>
    public static bool IsName(string text) => NamePattern().IsMatch(text);

    public ModelIdentity? Identity => Version is { } version ? Identify(Name, version) : null;

    public static ModelIdentity Identify(string name, int version) =>
        new() { Name = name, Version = version.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Whether <paramref name="text"/> can name an alias: a letter, then lower-case letters, digits, '-' and '_'.</summary>
    public static bool IsAlias(string text) => AliasPattern().IsMatch(text);

    public override string ToString() =>
        Version is { } version ? $"{Name}:{version.ToString(CultureInfo.InvariantCulture)}"
        : Alias is not null ? $"{Name}:{Alias}"
        : Name;

    [GeneratedRegex("^(?<name>[a-z0-9][a-z0-9_-]{0,62})(:((?<version>[0-9]{1,9})|(?<alias>[a-z][a-z0-9_-]{0,62})))?$")]
    private static partial Regex Pattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex AliasPattern();
}
