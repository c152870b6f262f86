using AutomationStack.Perception;

namespace AutomationStack.Perception.Tests;

internal sealed class AllocationTests
{
    [Test]
    public void HotPath_RasterizeDecodeSuppress_DoesNotAllocateAfterWarmUp()
    {
        // Arrange
        var spec = BevGridSpec.Default;
        var rasterizer = new BevRasterizer(spec);
        var decoder = new CenterDecoder(spec, CenterDecoderOptions.Default);
        var points = new float[4 * 1000];
        for (var k = 0; k < 1000; k++)
        {
            points[4 * k] = k * 0.05f;
            points[(4 * k) + 1] = (k % 50) - 25f;
            points[(4 * k) + 2] = 1.0f;
            points[(4 * k) + 3] = 0.5f;
        }

        var tensor = new float[spec.TensorLength];
        var heatmap = new float[decoder.HeatmapLength];
        Array.Fill(heatmap, -5f);
        for (var k = 0; k < 30; k++)
        {
            heatmap[(k * 997) % heatmap.Length] = 2f;
        }

        var regression = new float[decoder.RegressionLength];
        var detections = new Detection[100];
        var pose = new SensorPose(1, 0, 3, 0.01);
        rasterizer.Rasterize(points, pose, tensor);
        var count = decoder.Decode(heatmap, regression, detections);
        RotatedNms.Suppress(detections.AsSpan(0, count));

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        rasterizer.Rasterize(points, pose, tensor);
        count = decoder.Decode(heatmap, regression, detections);
        var kept = RotatedNms.Suppress(detections.AsSpan(0, count));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.That(count, Is.EqualTo(30));
        Assert.That(kept, Is.GreaterThan(0));
        Assert.That(allocated, Is.Zero);
    }
}
