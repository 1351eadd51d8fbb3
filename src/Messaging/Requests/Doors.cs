namespace Predictions.Messaging.Requests;

/// <summary>Which door a request came in by, in a message header: the gateway marks its own.</summary>
public static class Doors
{
    public const string Header = "Predictions-Door";

    public const string Http = "http";
}
