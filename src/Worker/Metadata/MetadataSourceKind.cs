namespace Predictions.Worker.Metadata;

public enum MetadataSourceKind
{
    /// <summary>Values derived from the item id after <c>Metadata:SimulatedLatency</c>: the lesson's stand-in.</summary>
    Simulated,

    /// <summary><c>GET {Metadata:BaseUrl}/items/{itemId}</c> on a service of yours.</summary>
    Http,
}
