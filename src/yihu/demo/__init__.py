"""The deterministic demo district (健康秀洲, seed 001) and the seeder that scales it up."""
