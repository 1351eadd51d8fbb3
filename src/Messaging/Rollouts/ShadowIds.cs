using System.Security.Cryptography;

namespace Predictions.Messaging.Rollouts;

/// <summary>
/// The prediction id of a shadow copy: a version-8 UUID derived from the original's, so the copy of a request sent twice
/// (a retried submission, a redelivery) has the same id and is audited once; never an id a caller is given.
/// </summary>
public static class ShadowIds
{
    public static Guid Of(Guid original)
    {
        Span<byte> bytes = stackalloc byte[32];
        SHA256.HashData(original.ToByteArray(), bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes[..16], bigEndian: true);
    }
}
