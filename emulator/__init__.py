"""Local Amazon Rekognition face API emulator."""
