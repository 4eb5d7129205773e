"""The Markdown part: the configs and code shown in fenced blocks of *.md/*.mdx documents."""
