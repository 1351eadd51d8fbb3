using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Predictions.Messaging.Broker;

namespace Predictions.Messaging.Tests.Broker;

/// <summary><c>ConnectionStrings:RabbitMq</c> as one host or the hosts of a cluster, and what its validation says.</summary>
public sealed class BrokerAddressTests
{
    [Fact]
    public void One_host_keeps_its_credentials_port_and_virtual_host()
    {
        var address = BrokerAddress.TryParse("amqp://app:s%40cret@rabbit.internal:5673/orders", out var error);

        Assert.Null(error);
        Assert.NotNull(address);
        Assert.False(address.Tls);
        Assert.Equal(("app", "s@cret", "orders"), (address.UserName, address.Password, address.VirtualHost));
        Assert.Equal([new BrokerHost("rabbit.internal", 5673)], address.Hosts);
        Assert.Equal(new Uri("amqp://app:s%40cret@rabbit.internal:5673/orders"), address.FirstHostUri);
    }

    [Fact]
    public void A_host_list_names_every_node_in_order_with_default_ports()
    {
        var address = BrokerAddress.TryParse("amqps://app:pw@node-a:5671,node-b,10.0.0.3:25671/", out _);

        Assert.NotNull(address);
        Assert.True(address.Tls);
        Assert.Equal("/", address.VirtualHost);
        Assert.Equal([new("node-a", 5671), new("node-b", BrokerAddress.AmqpsPort), new BrokerHost("10.0.0.3", 25671)], address.Hosts);
        Assert.Equal(new Uri("amqps://app:pw@node-a:5671/%2F"), address.FirstHostUri);
        Assert.Equal("amqps://app:***@node-a:5671,node-b:5671,10.0.0.3:25671/%2F", address.ToString());
    }

    [Theory]
    [InlineData("amqp://guest:guest@localhost", "localhost", 5672, "/")]
    [InlineData("amqp://localhost:5672/", "localhost", 5672, "/")]
    [InlineData("amqp://guest:guest@[::1]:5700/%2F", "[::1]", 5700, "/")]
    public void Defaults_fill_what_the_uri_leaves_out(string value, string host, int port, string virtualHost)
    {
        var address = BrokerAddress.TryParse(value, out _);

        Assert.NotNull(address);
        Assert.Equal(new BrokerHost(host, port), address.Hosts[0]);
        Assert.Equal(virtualHost, address.VirtualHost);
    }

    [Theory]
    [InlineData("http://guest:topsecret@localhost/", "must start with amqp:// or amqps://")]
    [InlineData("amqp://guest:topsecret@node-a:5672,node-b:notaport/", "host 2 of 2")]
    [InlineData("amqp://guest:topsecret@node-a:5672,,node-c/", "host 2 of 3")]
    [InlineData("amqp://guest:topsecret@node-a/one/two", "one virtual host")]
    public void A_bad_setting_is_named_and_its_password_never_echoed(string value, string expected)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Resolve(value));

        Assert.Contains(BrokerOptions.Setting, exception.Message, StringComparison.Ordinal);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_certificate_authority_file_is_named()
    {
        var exception = Assert.Throws<OptionsValidationException>(() =>
            Resolve("amqps://guest:guest@localhost/", ("RabbitMq:CertificateAuthority", "/nonexistent/ca.pem")));

        Assert.Contains(BrokerOptions.CertificateAuthoritySetting, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quorum_group_size_below_one_is_refused_with_its_name()
    {
        var exception = Assert.Throws<OptionsValidationException>(() =>
            Resolve<WorkQueueOptions>("amqp://localhost/", ("WorkQueue:QuorumInitialGroupSize", "0")));

        Assert.Contains("WorkQueue:QuorumInitialGroupSize", exception.Message, StringComparison.Ordinal);
    }

    private static BrokerOptions Resolve(string connectionString, params (string Key, string Value)[] settings) =>
        Resolve<BrokerOptions>(connectionString, settings);

    private static T Resolve<T>(string connectionString, params (string Key, string Value)[] settings)
        where T : class
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(
            [new("ConnectionStrings:RabbitMq", connectionString), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        builder.AddMessaging(typeof(BrokerAddressTests).Assembly);
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<T>>().Value;
    }
}
