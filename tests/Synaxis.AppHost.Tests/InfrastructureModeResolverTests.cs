using Synaxis.AppHost.Infrastructure;

namespace Synaxis.AppHost.Tests;

public class InfrastructureModeResolverTests
{
    private static readonly Func<bool> RuntimeHealthy = () => true;
    private static readonly Func<bool> NoRuntime = () => false;
    private static readonly Func<bool> MustNotProbe = () => throw new InvalidOperationException("probed");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData("AUTO")]
    public void Auto_uses_containers_when_a_runtime_is_healthy(string? setting) =>
        Assert.Equal(InfrastructureMode.Containers, InfrastructureModeResolver.Resolve(setting, false, RuntimeHealthy));

    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    public void Auto_falls_back_to_local_binaries_without_a_runtime(string? setting) =>
        Assert.Equal(InfrastructureMode.Local, InfrastructureModeResolver.Resolve(setting, false, NoRuntime));

    [Theory]
    [InlineData("local", InfrastructureMode.Local)]
    [InlineData(" Local ", InfrastructureMode.Local)]
    [InlineData("containers", InfrastructureMode.Containers)]
    [InlineData("Container", InfrastructureMode.Containers)]
    public void An_explicit_setting_wins_and_does_not_probe(string setting, InfrastructureMode expected) =>
        Assert.Equal(expected, InfrastructureModeResolver.Resolve(setting, false, MustNotProbe));

    [Theory]
    [InlineData("local")]
    [InlineData(null)]
    public void Publishing_always_describes_containers(string? setting) =>
        Assert.Equal(InfrastructureMode.Containers, InfrastructureModeResolver.Resolve(setting, true, MustNotProbe));

    [Fact]
    public void An_unknown_setting_is_refused_with_the_allowed_values()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => InfrastructureModeResolver.Resolve("kubernetes", false, RuntimeHealthy));
        Assert.Contains("'containers', 'local' or 'auto'", error.Message);
        Assert.Contains("kubernetes", error.Message);
    }
}
