using Predictions.Harness;

namespace Predictions.Integration.Tests.Broker;

/// <summary>A private CA and a server certificate it signed for 127.0.0.1, made with openssl in a temp folder.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string folder) => Folder = folder;

    public string Folder { get; }

    public string AuthorityCertificate => Path.Combine(Folder, "ca.pem");

    public string ServerCertificate => Path.Combine(Folder, "server.pem");

    public string ServerKey => Path.Combine(Folder, "server.key");

    /// <summary>Makes a CA named <paramref name="authority"/> and, signed by it, a certificate for 127.0.0.1 and localhost.</summary>
    public static async Task<TestCertificates> CreateAsync(string authority)
    {
        var certificates = new TestCertificates(Directory.CreateTempSubdirectory("predictions-tls-").FullName);
        var folder = certificates.Folder;
        await File.WriteAllTextAsync(Path.Combine(folder, "san.ext"), "subjectAltName = IP:127.0.0.1, DNS:localhost\n");
        string In(string file) => Path.Combine(folder, file);
        await OpenSslAsync(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", $"/CN={authority}", "-keyout", In("ca.key"), "-out", In("ca.pem"));
        await OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", In("server.key"), "-out", In("server.csr"));
        await OpenSslAsync(
            "x509", "-req", "-in", In("server.csr"), "-CA", In("ca.pem"), "-CAkey", In("ca.key"), "-CAcreateserial",
            "-days", "2", "-extfile", In("san.ext"), "-out", In("server.pem"));
        return certificates;

        async Task OpenSslAsync(params string[] arguments)
        {
            var run = await Command.RunAsync("openssl", arguments, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed: {run.Output}");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
