namespace Predictions.Gateway.Admin;

/// <summary>The body of <c>PUT /admin/models/{name}/aliases/{alias}</c>: the version the alias is to name.</summary>
public sealed record AliasRequest(int Version);
