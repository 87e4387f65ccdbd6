"""benefits"""
