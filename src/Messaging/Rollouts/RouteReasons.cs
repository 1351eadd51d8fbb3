namespace Predictions.Messaging.Rollouts;

/// <summary>Why a request went to the version that computed it: on every outcome and audit row as <c>route</c>.</summary>
public static class RouteReasons
{
    /// <summary>The request named the version.</summary>
    public const string Explicit = "explicit";

    /// <summary>The request named the model alone, or an alias, and the alias gave the version.</summary>
    public const string Alias = "alias";

    /// <summary>The request named the model alone, and its sticky key fell in the canary's share.</summary>
    public const string Canary = "canary";

    /// <summary>A copy of a request computed by the shadow version: audited, never answered.</summary>
    public const string Shadow = "shadow";

    /// <summary>The request named no model, and <c>Models:Default</c> names a version.</summary>
    public const string Default = "default";

    /// <summary>The request named the model alone, which has no stable alias: its highest loaded version.</summary>
    public const string Latest = "latest";

    /// <summary>The alias a request naming the model alone follows.</summary>
    public const string StableAlias = "stable";
}
