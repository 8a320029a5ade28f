"""The pure reader at the bottom of the layers: transcript files found and read line by line,
conversations and their branches, list metadata, what a message is made of, usage and prices.
No Textual, no SDK."""
