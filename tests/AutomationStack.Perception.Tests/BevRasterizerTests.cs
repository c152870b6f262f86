using AutomationStack.Perception;

namespace AutomationStack.Perception.Tests;

internal sealed class BevRasterizerTests
{
    private static readonly BevGridSpec Spec = BevGridSpec.Default;

    private static float At(float[] tensor, int channel, int row, int col) =>
        tensor[(channel * Spec.PlaneLength) + (row * Spec.Columns) + col];

    [Test]
    public void Default_Grid_Is240By160WithFourChannels()
    {
        // Arrange / Act / Assert
        Assert.That(Spec.Rows, Is.EqualTo(240));
        Assert.That(Spec.Columns, Is.EqualTo(160));
        Assert.That(Spec.TensorLength, Is.EqualTo(4 * 240 * 160));
        Assert.That(Spec.OutputSize(2), Is.EqualTo((120, 80)));
    }

    [Test]
    public void Rasterize_OnePoint_WritesRowFromXAndColumnFromY()
    {
        // Arrange: x = 10.2 → row ⌊50.2 / 0.5⌋ = 100; y = −3.7 → column ⌊36.3 / 0.5⌋ = 72.
        var rasterizer = new BevRasterizer(Spec);
        var tensor = new float[Spec.TensorLength];
        float[] points = [10.2f, -3.7f, 1.0f, 0.6f];

        // Act
        var kept = rasterizer.Rasterize(points, new SensorPose(0, 0, 0, 0), tensor);

        // Assert
        Assert.That(kept, Is.EqualTo(1));
        Assert.That(At(tensor, BevGridSpec.OccupancyChannel, 100, 72), Is.EqualTo(1f));
        Assert.That(At(tensor, BevGridSpec.MaxHeightChannel, 100, 72), Is.EqualTo(1.5f / 5.5f).Within(1e-6));
        Assert.That(At(tensor, BevGridSpec.IntensityChannel, 100, 72), Is.EqualTo(0.6f).Within(1e-6));
        Assert.That(At(tensor, BevGridSpec.DensityChannel, 100, 72), Is.EqualTo((float)(Math.Log(2) / Math.Log(33))).Within(1e-6));
        var nonZero = 0;
        foreach (var v in tensor)
        {
            nonZero += v != 0f ? 1 : 0;
        }

        Assert.That(nonZero, Is.EqualTo(4));
    }

    [Test]
    public void Rasterize_RotatedAndShiftedSensor_PlacesPointInVehicleFrame()
    {
        // Arrange: sensor at (2, 0.5, 2.0) yawed +90°: sensor (10, 0, −1) → vehicle (2, 10.5, 1.0).
        var rasterizer = new BevRasterizer(Spec);
        var tensor = new float[Spec.TensorLength];
        float[] points = [10f, 0f, -1f, 0.2f];

        // Act
        rasterizer.Rasterize(points, new SensorPose(2.0, 0.5, 2.0, Math.PI / 2), tensor);

        // Assert: row ⌊42 / 0.5⌋ = 84, column ⌊50.5 / 0.5⌋ = 101, height (1.0 + 0.5) / 5.5.
        Assert.That(At(tensor, BevGridSpec.OccupancyChannel, 84, 101), Is.EqualTo(1f));
        Assert.That(At(tensor, BevGridSpec.MaxHeightChannel, 84, 101), Is.EqualTo(1.5f / 5.5f).Within(1e-5));
    }

    [Test]
    public void Rasterize_GroundOutOfGridAndNonFinitePoints_AreIgnored()
    {
        // Arrange
        var rasterizer = new BevRasterizer(Spec);
        var tensor = new float[Spec.TensorLength];
        float[] points =
        [
            5f, 0f, 0.1f, 0.5f, // ground (z < 0.3)
            80f, 0f, 1f, 0.5f, // x = XMax is outside (half-open)
            0f, -40.01f, 1f, 0.5f, // y below YMin
            0f, 0f, 5.5f, 0.5f, // above ZMax
            float.NaN, 0f, 1f, 0.5f,
            -40f, -40f, 5f, 0.5f, // first cell, top of the height range: kept
        ];

        // Act
        var kept = rasterizer.Rasterize(points, new SensorPose(0, 0, 0, 0), tensor);

        // Assert
        Assert.That(kept, Is.EqualTo(1));
        Assert.That(At(tensor, BevGridSpec.OccupancyChannel, 0, 0), Is.EqualTo(1f));
        Assert.That(At(tensor, BevGridSpec.MaxHeightChannel, 0, 0), Is.EqualTo(1f));
    }

    [Test]
    public void Rasterize_ManyPointsInOneCell_MaxHeightMeanIntensityAndSaturatedDensity()
    {
        // Arrange: 40 points (≥ the density cap of 32) in one cell with heights 1..2 m and intensities 0.2 / 0.4.
        var rasterizer = new BevRasterizer(Spec);
        var tensor = new float[Spec.TensorLength];
        var points = new float[40 * 4];
        for (var k = 0; k < 40; k++)
        {
            points[4 * k] = 20.1f;
            points[(4 * k) + 1] = 0.1f;
            points[(4 * k) + 2] = 1f + (k / 39f);
            points[(4 * k) + 3] = k % 2 == 0 ? 0.2f : 0.4f;
        }

        // Act
        rasterizer.Rasterize(points, new SensorPose(0, 0, 0, 0), tensor);

        // Assert: row ⌊60.1 / 0.5⌋ = 120, column ⌊40.1 / 0.5⌋ = 80.
        Assert.That(At(tensor, BevGridSpec.MaxHeightChannel, 120, 80), Is.EqualTo(2.5f / 5.5f).Within(1e-6));
        Assert.That(At(tensor, BevGridSpec.IntensityChannel, 120, 80), Is.EqualTo(0.3f).Within(1e-6));
        Assert.That(At(tensor, BevGridSpec.DensityChannel, 120, 80), Is.EqualTo(1f));
    }

    [Test]
    public void Rasterize_CalledTwice_OverwritesPreviousContent()
    {
        // Arrange
        var rasterizer = new BevRasterizer(Spec);
        var tensor = new float[Spec.TensorLength];
        rasterizer.Rasterize([10f, 10f, 1f, 1f], new SensorPose(0, 0, 0, 0), tensor);

        // Act
        rasterizer.Rasterize([], new SensorPose(0, 0, 0, 0), tensor);

        // Assert
        Assert.That(Array.IndexOf(tensor, 1f), Is.EqualTo(-1));
    }

    [Test]
    public void Rasterize_BadLengths_Throw()
    {
        // Arrange
        var rasterizer = new BevRasterizer(Spec);

        // Act / Assert
        Assert.Throws<ArgumentException>(() => rasterizer.Rasterize(new float[3], default, new float[Spec.TensorLength]));
        Assert.Throws<ArgumentException>(() => rasterizer.Rasterize(new float[4], default, new float[10]));
    }

    [Test]
    public void Validate_ExtentNotMultipleOfCell_Throws()
    {
        // Arrange
        var spec = Spec with { XMax = 80.3 };

        // Act / Assert
        Assert.Throws<ArgumentException>(spec.Validate);
    }
}
